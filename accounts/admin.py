"""Django admin for the email-login user model."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from oauth2_provider.models import (
    get_access_token_model,
    get_grant_model,
    get_id_token_model,
    get_refresh_token_model,
)

from .deletion import user_delete
from .models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Personal info", {"fields": ("first_name", "last_name")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Important dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)

    # Staff deleting an account go through the same deletion as the member would: orders and
    # payments anonymised, not a cascade that fails on the baskets payments protect.
    def delete_model(self, request, obj: User) -> None:
        user_delete(obj)

    def delete_queryset(self, request, queryset) -> None:
        for user in queryset:
            user_delete(user)

    def get_deleted_objects(self, objs, request):
        deleted, model_count, perms_needed, _protected = super().get_deleted_objects(objs, request)
        # user_delete keeps (detached) the baskets a payment protects, the only protected rows
        # (tests/security/test_account_deletion.py checks so), so they do not block the deletion;
        # and it revokes the member's OAuth tokens itself, which the token admins never delete.
        revoked_itself = {
            str(model._meta.verbose_name)
            for model in (
                get_access_token_model(),
                get_refresh_token_model(),
                get_id_token_model(),
                get_grant_model(),
            )
        }
        return deleted, model_count, perms_needed - revoked_itself, []
