"""certgate: a self-hosted API gateway that runs Azure API Management policies as they are."""

__version__ = "0.1.0"
