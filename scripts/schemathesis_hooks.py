"""Schemathesis hooks for the API's bodies that are not JSON (loaded by
scripts/schemathesis-roles.py through SCHEMATHESIS_HOOKS).

`POST /api/passengers/messages` takes a raw UN/EDIFACT interchange
(`application/edifact`, RFC 1767), which schemathesis cannot make from a
schema: it gets a well-formed PAXLST written for these runs (names and
numbers invented), that message cut short, and arbitrary bytes.
"""

from hypothesis import strategies as st

import schemathesis

PAXLST = (
    "UNA:+.? '"
    "UNB+UNOA:4+CMAIR:ZZ+GTMIGM:ZZ+261206:1405+000000901'"
    "UNH+ST1+PAXLST:D:02B:UN:IATA+CM0421/261206/1530+01:F'"
    "BGM+745'"
    "NAD+MS+++CENTRAL AIR OPS'"
    "TDT+20+CM421+++CM'"
    "LOC+125+PTY'"
    "DTM+189:2612061530:201'"
    "LOC+87+GUA'"
    "DTM+232:2612061705:201'"
    "NAD+FL+++PRUEBA:ANA LUCIA'"
    "ATT+2++F'"
    "DTM+329:900214'"
    "NAT+2+PAN'"
    "DOC+P+PA0000001'"
    "DTM+36:301231'"
    "LOC+91+PAN'"
    "CNT+42:1'"
    "UNT+17+ST1'"
    "UNZ+1+000000901'"
).encode("ascii")

schemathesis.openapi.media_type(
    "application/edifact",
    st.one_of(
        st.just(PAXLST),
        st.integers(min_value=0, max_value=len(PAXLST) - 1).map(lambda n: PAXLST[:n]),
        st.binary(max_size=2048),
    ),
)
