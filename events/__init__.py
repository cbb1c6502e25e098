"""Events: calendars, event pages, tickets and iCalendar feeds, on django-scheduler."""
