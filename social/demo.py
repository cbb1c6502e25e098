"""Demo content for social (grown by its issue)."""


def seed() -> str:
    return "no demo content yet"
