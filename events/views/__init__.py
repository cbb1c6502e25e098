"""HTTP views for events, a module a subject: public, bookings, organisers, check-in, feeds, calendar API."""
