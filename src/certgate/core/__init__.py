"""The sans-IO core. Importing it registers `X509Certificate2` (and through it `RSA`) with the
expression compiler: the certificate type lives in `certs`, outside `core.expr`, which knows
nothing of the gateway."""

from certgate.core import certs as _certs

__all__: list[str] = []
_ = _certs
