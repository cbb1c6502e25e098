default_app_config = "commerce.shipping.apps.ShippingConfig"
