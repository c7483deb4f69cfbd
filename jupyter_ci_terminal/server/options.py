"""Check the extension's settings before traitlets applies them, and name the one that is bad.

traitlets applies a section's settings all at once and undoes every one of them when one fails
(an option given twice on the command line, a value of the wrong kind): Jupyter then logs a
traceback and runs the extension with its defaults, which is easy to miss. Checking first lets
the server stop with one sentence naming the setting. Sentences never quote values: the setting
may be a token.
"""

from __future__ import annotations

from traitlets import TraitError
from traitlets.config import Config, Configurable
from traitlets.config.loader import DeferredConfig, DeferredConfigList, LazyConfigValue


def problem(app: Configurable, config: Config) -> str | None:
    """Say in one sentence why ``config`` cannot be applied to ``app``; None when it can."""
    traits = app.traits(config=True)
    for section_name in app.section_names():
        section = config.get(section_name)
        if not isinstance(section, Config):
            continue
        for name, value in section.items():
            trait = traits.get(name)
            if trait is None or isinstance(value, LazyConfigValue):
                continue  # unknown names get traitlets' own warning; .append() needs the value
            option = f"{section_name}.{name}"
            # Command-line values are strings, converted by the trait (a list takes many).
            once = not hasattr(trait, "from_string_list")
            if once and isinstance(value, DeferredConfigList) and len(value) > 1:
                return f"{option} is given {len(value)} times on the command line; give it once."
            if isinstance(value, DeferredConfig):
                value = value.get_value(trait)
            validate = getattr(trait, "validate", None)  # what traitlets calls; Any has none
            if validate is None or (value is None and trait.allow_none):
                continue
            try:
                validate(app, value)
            except TraitError:
                return f"{option} must be {trait.info()}; the value given is not."
    return None
