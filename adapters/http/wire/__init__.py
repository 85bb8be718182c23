"""msgspec wire types, one module per resource: strict inbound bodies, outbound views.

Inbound structs forbid unknown fields and constrain every value (Meta); outbound views are
built from entities by small functions here, so handlers never return an entity.
"""
