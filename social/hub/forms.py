"""Forms of the hub's admin screens."""

from django import forms

from .behaviors import MAX_NOTE_CHARS


class ActorChoiceMixin(forms.Form):
    actor = forms.ChoiceField(label="As")

    def __init__(self, *args, actors=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.actors = {actor.username: actor for actor in actors}
        self.fields["actor"].choices = [
            (actor.username, f"@{actor.username} ({actor.name})") for actor in actors
        ]

    @property
    def local_actor(self):
        return self.actors[self.cleaned_data["actor"]]


class FollowForm(ActorChoiceMixin):
    query = forms.CharField(
        label="Account", max_length=500, help_text="A handle like @someone@example.social, or a profile URL."
    )

    field_order = ["query", "actor"]


class ComposeForm(ActorChoiceMixin):
    summary = forms.CharField(label="Content warning", max_length=500, required=False)
    text = forms.CharField(
        label="Note",
        max_length=MAX_NOTE_CHARS,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="Mention people as @someone@example.social; #hashtags become tags.",
    )
    image = forms.ImageField(required=False)
    image_alt = forms.CharField(label="Image description (alt text)", max_length=1000, required=False)

    field_order = ["summary", "text", "image", "image_alt", "actor"]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("image") and not (cleaned.get("image_alt") or "").strip():
            self.add_error("image_alt", "Describe the image for people who cannot see it.")
        return cleaned


class DomainBlockForm(forms.Form):
    domain = forms.CharField(max_length=255, help_text="e.g. spam.example")
    reason = forms.CharField(max_length=500, required=False)
