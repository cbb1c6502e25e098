default_app_config = "commerce.checkout.apps.CheckoutConfig"
