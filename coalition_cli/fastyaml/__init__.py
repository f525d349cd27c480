"""Reading YAML records that another client wrote, at close to the speed of the canonical form.

``records.parse_record`` reads the tool's own canonical form with ``json``. A record a
conforming client wrote in ordinary YAML — block mappings, plain and quoted scalars, flow
or block lists and mappings of a record's shape — used to go to ruamel's pure-Python
loader at 2.7 ms a record. Now it is tried, in order, by:

1. ``parse_block``: a restricted line parser for exactly those shapes (tens of µs) — the
   entries of a record, and of a mapping nested in it, found by one regular expression
   each, with the lines below an entry read line by line only when it has any; quoted
   scalars may go on over several more-indented lines (PyYAML and ruamel write a text with
   line breaks, or a long one, so), folded as YAML folds them;
2. ``parse_events``: libyaml's C parser (PyYAML's ``CParser``, when installed), whose
   events are turned into values here;
3. ruamel's safe loader (``records.load_yaml_text``), one instance per process.

The first two never decide anything they are unsure of: each answers with the value, or
``None`` ("not mine"), and the next one reads the text. Anything unusual — an anchor, an
alias, a tag, a directive, a duplicate key, a plain scalar whose type YAML 1.1 and 1.2 read
differently (``yes``, ``0o17``, ``1_000``, ``12:30``, dates, floats), nesting past
``MAX_DEPTH``, a control character, a second document — goes on to ruamel, which accepts
or refuses it, naming the line, exactly as before. So a value from the fast paths is
always the value ruamel gives (``tests/test_fastyaml.py`` checks it on generated
documents), and every refusal is ruamel's.
"""

from .events import parse_events
from .lines import parse_block
from .values import MAX_DEPTH, plain

__all__ = ["parse_block", "parse_events", "plain", "MAX_DEPTH"]
