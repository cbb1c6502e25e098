"""Who may moderate the replies to our posts.

Moderators (the `federation.change_comment` permission, superusers) see and moderate every reply.
Anyone else who may use the Wagtail admin (the Editors group) sees and moderates only the replies to
their own posts: pages they own. Nobody adds or edits a reply by hand: they arrive from the fediverse.
"""

from django.db.models import CharField, QuerySet, Value
from django.db.models.functions import Cast, Concat
from wagtail.models import Page
from wagtail.permission_policies import ModelPermissionPolicy

from .models import Comment

OWN_POST_ACTIONS = frozenset({"change", "view"})  # approve or reject, and look; never add or delete
ADMIN_ACCESS = "wagtailadmin.access_admin"


def own_post_keys(user) -> QuerySet:
    """The object keys ("page:<id>", as the publishing flow names pages) of the pages `user` owns."""
    return (
        Page.objects.filter(owner=user)
        .annotate(key=Concat(Value("page:"), Cast("pk", output_field=CharField())))
        .values("key")
    )


class CommentPermissionPolicy(ModelPermissionPolicy):
    def _moderates_all(self, user, actions) -> bool:
        return any(super(CommentPermissionPolicy, self).user_has_permission(user, a) for a in actions)

    def _moderates_own(self, user, actions) -> bool:
        return bool(OWN_POST_ACTIONS.intersection(actions)) and user.is_active and user.has_perm(ADMIN_ACCESS)

    def user_has_permission(self, user, action):
        return self._moderates_all(user, [action]) or self._moderates_own(user, [action])

    def instances_user_has_any_permission_for(self, user, actions):
        if self._moderates_all(user, actions):
            return self.model._default_manager.all()
        if self._moderates_own(user, actions):
            return self.model._default_manager.filter(object__object_key__in=own_post_keys(user))
        return self.model._default_manager.none()

    def user_has_permission_for_instance(self, user, action, instance):
        if self._moderates_all(user, [action]):
            return True
        return (
            self._moderates_own(user, [action])
            and own_post_keys(user).filter(key=instance.object.object_key).exists()
        )


comment_permission_policy = CommentPermissionPolicy(Comment)
