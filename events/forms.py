"""Forms for organisers (events with a first ticket type, moving occurrences) and for the check-in desk."""

from decimal import Decimal
from zoneinfo import available_timezones

from django import forms
from django.conf import settings

from .models import FREQUENCIES, EventCategory

_ZONES = sorted(available_timezones())


class EventForm(forms.Form):
    calendar = forms.ModelChoiceField(queryset=None)
    title = forms.CharField(max_length=255)
    description = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), required=False)
    location = forms.CharField(max_length=255, required=False)
    category = forms.ModelChoiceField(queryset=EventCategory.objects.all(), required=False)
    start = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    end = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    time_zone = forms.ChoiceField(choices=[(z, z) for z in _ZONES], initial=settings.TIME_ZONE)
    all_day = forms.BooleanField(required=False)
    frequency = forms.ChoiceField(
        choices=[("", "Does not repeat")] + list(FREQUENCIES.items()), required=False, label="Repeats"
    )
    repeat_until = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    published = forms.BooleanField(required=False, initial=True)
    ticket_name = forms.CharField(max_length=120, required=False, label="Ticket type")
    ticket_price = forms.DecimalField(
        min_value=Decimal("0"), decimal_places=2, required=False, initial=Decimal("0"), label="Price"
    )
    ticket_quota = forms.IntegerField(min_value=1, required=False, label="Places per date")

    def __init__(self, *args, calendars, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["calendar"].queryset = calendars

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"] and not data.get("all_day"):
            raise forms.ValidationError("The event must end after it starts.")
        if data.get("ticket_name") and not data.get("ticket_quota"):
            self.add_error("ticket_quota", "How many places?")
        return data


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
