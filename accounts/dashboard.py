"""Registries other apps plug into: sections of the member dashboard and parts of the data export.

Accounts never imports events or commerce: an app registers from its ``AppConfig.ready()``::

    from accounts.dashboard import DashboardSection, dashboard_section_register, data_export_register

    dashboard_section_register(DashboardSection(
        key="bookings", title="Tickets and bookings", template="events/dashboard_bookings.html",
        context=lambda user: {"bookings": bookings_for_user(user)}, order=30,
    ))
    data_export_register("bookings", lambda user: [...json-serialisable...])
    data_erase_register("bookings", lambda user: ...)  # runs just before the account is deleted
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DashboardSection:
    key: str
    title: str
    template: str  # rendered with the section's context plus ``user``
    context: Callable[[Any], dict]
    order: int = 50


_sections: dict[str, DashboardSection] = {}
_exporters: dict[str, Callable[[Any], Any]] = {}
_erasers: dict[str, Callable[[Any], None]] = {}


def dashboard_section_register(section: DashboardSection) -> None:
    """Register (or replace, so reloading a module is harmless) a dashboard section."""
    _sections[section.key] = section


def dashboard_sections() -> list[DashboardSection]:
    return sorted(_sections.values(), key=lambda section: (section.order, section.key))


def data_export_register(key: str, export: Callable[[Any], Any]) -> None:
    """``export(user)`` returns JSON-serialisable data placed under ``key`` in the member's download."""
    _exporters[key] = export


def data_exporters() -> dict[str, Callable[[Any], Any]]:
    return dict(_exporters)


def data_erase_register(key: str, erase: Callable[[Any], None]) -> None:
    """``erase(user)`` removes or anonymises the app's personal data when the account is deleted."""
    _erasers[key] = erase


def data_erasers() -> dict[str, Callable[[Any], None]]:
    return dict(_erasers)
