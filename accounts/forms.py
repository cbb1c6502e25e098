"""Forms for signing up, logging in, the profile, newsletters and deleting an account."""

from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db import transaction

from .models import NewsletterList, User, email_canonical


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email", widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"})
    )

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": "That email and password do not match an account.",
    }

    def clean_username(self) -> str:
        # Accounts are stored in their canonical spelling; django-axes counts failures by the same
        # (accounts.signin), so another spelling neither misses the account nor dodges the throttle.
        return email_canonical(self.cleaned_data["username"])


class PasswordResetAfterCommitForm(PasswordResetForm):
    """Django's reset form, but whether anyone gets a link is decided by a task after commit.

    Django looks the address up and renders and sends the email from inside the view: a request
    for a member's address does more (a token, three templates, queueing the mail) than one for a
    stranger's, and the time it takes tells which it was. Here every request does the same, queue
    the address once the request's transaction commits (no SMTP inside it); the task finds the
    accounts and mails them (accounts.services.password_reset_mail).
    """

    def save(self, *args, **kwargs) -> None:
        from .tasks import send_password_reset

        email = self.cleaned_data["email"]
        transaction.on_commit(lambda: send_password_reset.delay(email))


class SignupForm(forms.Form):
    """No uniqueness check here: telling people an address is taken would reveal who is a member."""

    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    first_name = forms.CharField(max_length=255, required=False)
    last_name = forms.CharField(max_length=255, required=False)
    password = forms.CharField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )

    def clean_email(self) -> str:
        return email_canonical(self.cleaned_data["email"])

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("password") and cleaned.get("email"):
            probe = User(email=cleaned["email"], first_name=cleaned.get("first_name", ""))
            try:
                password_validation.validate_password(cleaned["password"], probe)
            except forms.ValidationError as error:
                self.add_error("password", error)
        return cleaned


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["first_name", "last_name", "fediverse_handle"]


class EmailChangeForm(forms.Form):
    """The new address and the current password (a borrowed, unlocked session is not enough)."""

    new_email = forms.EmailField(
        label="New email address", widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    password = forms.CharField(
        label="Current password", widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_new_email(self) -> str:
        email = email_canonical(self.cleaned_data["new_email"])
        if email == email_canonical(self.user.email):
            raise forms.ValidationError("That is already your address.")
        return email

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password


class NewsletterSignupForm(forms.Form):
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    newsletters = forms.ModelMultipleChoiceField(
        queryset=NewsletterList.objects.filter(is_public=True), widget=forms.CheckboxSelectMultiple
    )


class AccountDeleteForm(forms.Form):
    password = forms.CharField(widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

    def __init__(self, user: User, *args, **kwargs) -> None:
        self.user = user
        super().__init__(*args, **kwargs)

    def clean_password(self) -> str:
        password = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("That is not your password.")
        return password
