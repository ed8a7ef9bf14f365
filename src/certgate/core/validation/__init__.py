"""Client-certificate validation: chain building, identity claims, revocation verdicts.

Sans-IO like the rest of `core`: revocation data (CRLs, OCSP responses) is fetched by
`certgate.io.revocation` before the policies that need it run, and handed in here as bytes.
"""
