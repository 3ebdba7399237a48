"""Words for what the product prints: counted nouns."""
from __future__ import annotations


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """'1 interval', '3 intervals', '0 intervals'; `plural` where adding an s is wrong ('1 person', '2 people').
    Numbers get thousands separators: '1,200 calls'."""
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


def named(employee_id: str, names: dict[str, str]) -> str:
    """The person as the reports write them: the employee_id, then the name when `names` has one."""
    name = names.get(employee_id)
    return f"{employee_id} {name}".strip() if name else employee_id
