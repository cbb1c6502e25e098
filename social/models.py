"""The flow log (flows, their steps and effects) and staff notifications."""

import uuid

from django.conf import settings
from django.db import models


def new_activity_id() -> str:
    return str(uuid.uuid4())


class Flow(models.Model):
    """One run of a behavior. Written in the publish transaction (the transactional outbox)."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        REFUSED = "refused"  # a step refused (e.g. validate): nothing federated, and the log says why
        FAILED = "failed"

    ACTIVE = (Status.PENDING, Status.RUNNING)

    behavior = models.CharField(max_length=50)
    event = models.CharField(max_length=30)  # the trigger: published, republished, unpublished, ...
    object_key = models.CharField(max_length=100, db_index=True)
    page_id = models.BigIntegerField(null=True, blank=True)
    # The published page revision: the runner reads the payload from it (not the publish transaction).
    revision_id = models.BigIntegerField(null=True, blank=True)
    activity_id = models.CharField(max_length=64, unique=True, default=new_activity_id)
    payload = models.JSONField(default=dict)  # the page as it was when the trigger fired
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    cursor = models.CharField(max_length=50, blank=True)  # the next step to run; blank once finished
    path = models.JSONField(default=list)  # the steps taken, in order
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "updated_at"], name="social_flow_status_idx")]
        permissions = [("retry_flow", "Can retry a failed flow from its failed step")]

    def __str__(self) -> str:
        return f"flow {self.pk} {self.behavior} {self.object_key} ({self.status})"

    @property
    def duration_ms(self) -> float | None:
        if self.finished_at and self.created_at:
            return (self.finished_at - self.created_at).total_seconds() * 1000
        return None


class FlowStep(models.Model):
    """One step of a flow: claimed, then completed exactly once (its effects commit with it)."""

    class Status(models.TextChoices):
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="steps")
    name = models.CharField(max_length=50)
    seq = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.RUNNING)
    branch = models.CharField(max_length=50, blank=True)
    note = models.TextField(blank=True)
    data = models.JSONField(default=dict)
    attempts = models.PositiveSmallIntegerField(default=0)
    # Blank: settings.SOCIAL_STEP_MAX_ATTEMPTS. A staff retry of a failed flow raises it for this step.
    attempt_limit = models.PositiveSmallIntegerField(null=True, blank=True)
    claim_token = models.CharField(max_length=64, blank=True)
    claimed_by = models.CharField(max_length=200, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        ordering = ["flow", "seq"]
        constraints = [models.UniqueConstraint(fields=["flow", "name"], name="social_flowstep_once")]

    def __str__(self) -> str:
        return f"{self.flow_id}.{self.name} ({self.status})"


class FlowEffect(models.Model):
    """An effect a step emitted and what the driver did with it. The unique key makes retries safe."""

    class Status(models.TextChoices):
        DONE = "done"
        FAILED = "failed"

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="effects")
    step = models.ForeignKey(FlowStep, on_delete=models.CASCADE, related_name="effects")
    seq = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=40)
    idempotency_key = models.CharField(max_length=200, unique=True)
    data = models.JSONField(default=dict)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DONE)
    result = models.JSONField(default=dict)  # e.g. the transport's receipt
    error = models.TextField(blank=True)
    duration_ms = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["step__seq", "seq"]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key}"


class StaffNotification(models.Model):
    """A notification for the staff, shown in the Wagtail admin (and emailed once)."""

    key = models.CharField(max_length=200, unique=True)
    subject = models.CharField(max_length=255)
    body = models.TextField(blank=True)
    url = models.URLField(max_length=500, blank=True)
    level = models.CharField(max_length=10, default="info")
    flow = models.ForeignKey(
        Flow, null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    emailed_at = models.DateTimeField(null=True, blank=True)
    read_by = models.ManyToManyField(settings.AUTH_USER_MODEL, blank=True, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.subject
