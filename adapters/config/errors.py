"""The one configuration error: it names the variable and says what is wrong."""


class ConfigError(Exception):
    def __init__(self, variable: str, message: str) -> None:
        self.variable = variable
        self.message = message
        super().__init__(f"{variable}: {message}")


class ConfigErrors(Exception):
    """Every problem found at start, reported together."""

    def __init__(self, errors: list[ConfigError]) -> None:
        self.errors = errors
        lines = "\n".join(f"  - {e}" for e in errors)
        super().__init__(f"dolgo-pay cannot start, the configuration is invalid:\n{lines}")
