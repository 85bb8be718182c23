"""`OperatorError`: a failure the operator fixes (a database to start, a migration to run, a port
to free). Its message says what is wrong and what to do; the CLI prints it as one line and exits
1, with the traceback only under `dolgo-pay --debug`."""


class OperatorError(Exception):
    """A failure of the environment, not of the code; the message is the whole answer."""


class PortInUse(OperatorError):
    """The address `serve` would listen on is taken."""
