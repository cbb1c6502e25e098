"""Demo content for cms (grown by its issue)."""


def seed() -> str:
    return "no demo content yet"
