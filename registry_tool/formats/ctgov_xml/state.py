"""What reading and writing one record through the layout collect: extras, warnings, missing elements."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ...model import Record
from .extras_form import XML_NAME, Element, is_element_json


@dataclass(slots=True)
class LoadState:
    """What an import collects besides the bound fields: extras and warnings."""

    record: Record
    # the record field being filled, as a JSON path prefix for warnings: "design.", "outcomes[2]."
    where: str = ""
    # Slot values known to be what their elements say: the writer's own, read back from the tree it
    # built (json_to_elements then element_to_json gives the value back), so not converted again
    trusted: dict[str, Any] = field(default_factory=dict)

    def keep(self, path: str, value: Any, repeat: bool = False) -> None:
        """Put ``value`` in extras under ``path``; a second value there makes a list."""
        extras = self.record.extras
        if repeat:
            extras.setdefault(path, []).append(value)
        elif path in extras:
            previous = extras[path]
            extras[path] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            extras[path] = value

    def keep_attributes(self, el: Element, path: str, taken: tuple[str, ...] = ()) -> None:
        for name, value in el.attrib.items():
            if name not in taken:
                self.keep(f"{path}/@{name}" if path else f"@{name}", value)

    def warn(self, code: str, message: str, field: str | None) -> None:
        self.record.warn(code, message, field)


@dataclass(slots=True)
class Missing:
    """A required element the export could not fill."""

    path: str
    set_name: str | None  # the --set NAME that supplies it, where there is one
    what: str


@dataclass(slots=True)
class DumpState:
    """What an export collects: missing required elements, warnings, and the extras it can place."""

    record: Record
    where: str = ""  # as LoadState.where
    missing: list[Missing] = field(default_factory=list)
    warnings: list[tuple[str, str, str | None]] = field(default_factory=list)
    # extras attributes by the path of their element: {"enrollment": {"foo": "1"}}
    attributes: dict[str, dict[str, str]] = field(default_factory=dict)
    slots_written: dict[str, Any] = field(default_factory=dict)  # Slot path -> the extras value written
    left_out: list[str] = field(default_factory=list)  # paths of what the registry schema made us drop

    def __post_init__(self) -> None:
        for key, value in self.record.extras.items():
            if isinstance(value, str) and "@" in key:
                owner, _, name = key.rpartition("@")
                owner = owner.rstrip("/")
                if XML_NAME.match(name):
                    self.attributes.setdefault(owner, {})[name] = value

    def extra(self, path: str) -> Any:
        """The extras value kept under ``path`` if it can be written as XML, else None."""
        value = self.record.extras.get(path)
        return value if value is not None and is_element_json(value) else None

    def warn(self, code: str, message: str, field: str | None) -> None:
        self.warnings.append((code, message, field))

    def refuse(self, field: str, value: Any, path: str, expected: str = "") -> None:
        """Warn that ``value`` is left out: the registry schema does not accept it at ``path``."""
        self.warn("xml-value-refused", f"{field} {value!r} is not a value the registry schema accepts for "
                  f"<{path}>{f' ({expected})' if expected else ''}; left out", field)
