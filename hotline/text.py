"""The one rule for a text a service stores: line ends unified, NUL characters
taken out (PostgreSQL refuses them), trimmed; refused when required and empty
or longer than its limit, with the same message whichever door it came
through (page, API, import) and whichever app keeps it."""

from hotline.errors import InvalidInput


def text_clean(value: str | None, *, label: str, field: str, limit: int, required: bool = False) -> str:
    value = (value or "").replace("\r\n", "\n").replace("\x00", "").strip()
    if required and not value:
        raise InvalidInput(f"请填写{label}。", field=field)
    if len(value) > limit:
        raise InvalidInput(
            f"{label}不能超过{limit}字（现为{len(value)}字），请精简后再提交。", code="too_long", field=field
        )
    return value
