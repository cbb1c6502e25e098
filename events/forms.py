"""Forms for organisers (events with a first ticket type, moving occurrences) and for the check-in desk."""

from decimal import Decimal
from zoneinfo import available_timezones

from django import forms
from django.conf import settings

from .models import FREQUENCIES, EventCategory

TIME_ZONES = sorted(available_timezones())
_ZONE_SET = frozenset(TIME_ZONES)


class EventForm(forms.Form):
    calendar = forms.ModelChoiceField(queryset=None)
    title = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    location = forms.CharField(max_length=255, required=False)
    category = forms.ModelChoiceField(queryset=EventCategory.objects.all(), required=False)
    start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Starts")
    end = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}), label="Ends")
    # A text input searched through a <datalist> of every zone (events_form.html): a <select> of six
    # hundred names is unusable on a phone, and a datalist needs no script.
    time_zone = forms.CharField(
        initial=settings.TIME_ZONE,
        help_text="Type to search, e.g. Europe/London.",
        widget=forms.TextInput(attrs={"list": "time-zones", "autocomplete": "off", "spellcheck": "false"}),
    )
    all_day = forms.BooleanField(required=False)
    frequency = forms.ChoiceField(
        choices=[("", "Does not repeat")] + list(FREQUENCIES.items()), required=False, label="Repeats"
    )
    repeat_until = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text="Leave empty to repeat with no end.",
        label="Last date",
    )
    published = forms.BooleanField(required=False, initial=True, label="Show on the public calendar")
    ticket_name = forms.CharField(max_length=120, required=False, label="Ticket type")
    ticket_price = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=2, required=False, initial=Decimal("0"), label="Price"
    )
    ticket_quota = forms.IntegerField(min_value=1, required=False, label="Places per date")

    def __init__(self, *args, calendars, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars
        self.time_zones = TIME_ZONES
        for field in self.fields.values():
            if not isinstance(field.widget, forms.CheckboxInput):
                field.widget.attrs.setdefault("class", "form-control")

    def full_clean(self) -> None:
        super().full_clean()
        # Screen readers read a field's error with the field (events/_form_field.html gives the id);
        # Django already marks the field aria-invalid and points at its help text, kept here.
        for name in self.errors:
            if name not in self.fields:
                continue
            field = self.fields[name]
            described = [f"id_{name}_helptext"] if field.help_text else []
            field.widget.attrs["aria-describedby"] = " ".join([*described, f"id_{name}_error"])
            field.widget.attrs["class"] = f"{field.widget.attrs.get('class', '')} is-invalid".strip()

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        if zone not in _ZONE_SET:
            raise forms.ValidationError("Choose a time zone from the list, e.g. Europe/London.")
        return zone

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        # Each error beside the field the organiser has to change, not above the whole form.
        if start and end and end <= start and not data.get("all_day"):
            self.add_error("end", "The event must end after it starts.")
        until = data.get("repeat_until")
        if until and start and until < start.date():
            self.add_error("repeat_until", "The last date must be on or after the first.")
        if until and not data.get("frequency"):
            self.add_error("repeat_until", "Choose how often it repeats, or leave this empty.")
        if data.get("ticket_name") and not data.get("ticket_quota"):
            self.add_error("ticket_quota", "How many places?")
        return data


class RecurrencePreviewForm(forms.Form):
    """The event form's fields that decide its dates, as the live preview sends them."""

    start = forms.DateTimeField()
    frequency = forms.ChoiceField(choices=[("", "")] + list(FREQUENCIES.items()), required=False)
    repeat_until = forms.DateField(required=False)
    time_zone = forms.CharField(required=False)

    def clean_time_zone(self) -> str:
        zone = self.cleaned_data["time_zone"].strip()
        return zone if zone in _ZONE_SET else settings.TIME_ZONE


class TicketTypeForm(forms.Form):
    name = forms.CharField(max_length=120)
    price = forms.DecimalField(min_value=Decimal("0"), decimal_places=2, initial=Decimal("0"))
    quota = forms.IntegerField(min_value=1)
    sale_starts = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    sale_ends = forms.DateTimeField(
        required=False, widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    only_this_date = forms.BooleanField(required=False)


class MoveOccurrenceForm(forms.Form):
    new_start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))


class CheckInForm(forms.Form):
    code = forms.CharField(
        max_length=16, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "off"})
    )
