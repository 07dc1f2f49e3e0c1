"""Who may see and do what: every access rule of the hub, in one package.

- `policies`: who may call a route; each view declares one with `blp.access(...)`, and the
  guard refuses any view that declares none.
- `objects`: who may act on one object; services call these before a write (403 otherwise).
- `visibility`: which rows a caller sees, as SQL conditions, and which parts of a participant's
  record; lists, single reads (404 for the rest), the change feed, webhook payloads and the
  schemas' per-field rules all use them.
"""
