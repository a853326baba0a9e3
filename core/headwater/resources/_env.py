"""`EnvVar`: a config value read from the environment when a resource is initialised."""

from __future__ import annotations

import os


class EnvVar(str):
    """A config value taken from environment variable ``name`` at resource initialisation.

    The object *is* the variable's name (a ``str``), so it is accepted wherever a string field
    is, and reprs, logs and serialised config show ``EnvVar('NAME')``, never the secret.

    Args:
        name: the environment variable to read.
    """

    __slots__ = ()

    def __new__(cls, name: str) -> EnvVar:
        if not isinstance(name, str) or not name:
            raise TypeError(f"EnvVar needs a non-empty variable name; got {name!r}")
        return super().__new__(cls, name)

    @property
    def env_var_name(self) -> str:
        """The name of the environment variable."""
        return str.__str__(self)

    name = env_var_name

    def get_value(self, default: str | None = None) -> str | None:
        """Return the variable's current value, or ``default`` when it is unset."""
        return os.environ.get(self.env_var_name, default)

    @classmethod
    def int(cls, name: str) -> IntEnvVar:
        """A config value for an ``int`` field, read from environment variable ``name``."""
        return IntEnvVar(name)

    def __repr__(self) -> str:
        return f"EnvVar({self.env_var_name!r})"


class IntEnvVar(int):
    """An ``int`` config value read from an environment variable; build with `EnvVar.int`."""

    env_var_name: str

    def __new__(cls, name: str) -> IntEnvVar:
        if not isinstance(name, str) or not name:
            raise TypeError(f"EnvVar.int needs a non-empty variable name; got {name!r}")
        value = super().__new__(cls, 0)
        value.env_var_name = name
        return value

    @property
    def name(self) -> str:
        """The name of the environment variable."""
        return self.env_var_name

    def get_value(self, default: str | None = None) -> str | None:
        """Return the variable's current (unparsed) value, or ``default`` when it is unset."""
        return os.environ.get(self.env_var_name, default)

    def __repr__(self) -> str:
        return f"EnvVar.int({self.env_var_name!r})"

    __str__ = __repr__

    def __reduce__(self):
        return (IntEnvVar, (self.env_var_name,))


def is_env_var(value: object) -> bool:
    """Whether ``value`` is an `EnvVar` or an `EnvVar.int` placeholder."""
    return isinstance(value, (EnvVar, IntEnvVar))


def resolve_env_var(value: EnvVar | IntEnvVar, path: str) -> str | int:
    """Read the variable behind ``value``; raise InvalidConfigError naming it and ``path``."""
    from headwater.errors import InvalidConfigError

    raw = os.environ.get(value.env_var_name)
    if raw is None:
        raise InvalidConfigError(
            f"{path}: environment variable '{value.env_var_name}' is not set. "
            "Set it before the run starts, or give the field a value."
        )
    if isinstance(value, IntEnvVar):
        try:
            return int(raw)
        except ValueError:
            raise InvalidConfigError(
                f"{path}: environment variable '{value.env_var_name}' must hold an integer"
            ) from None
    return raw
