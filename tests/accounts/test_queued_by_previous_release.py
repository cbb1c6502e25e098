"""A task message queued by the previous release is still worked by this one's workers during a deploy."""

from django.core import mail

from accounts import tasks


def test_a_reset_email_queued_already_rendered_is_still_sent():
    result = tasks.send_rendered_email.apply(
        args=("Reset your password", "Follow the link.", "<p>Follow the link.</p>", "bob@example.org")
    )
    assert result.successful()
    [message] = mail.outbox
    assert (message.subject, message.to) == ("Reset your password", ["bob@example.org"])
