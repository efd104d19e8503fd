"""Results as hospital systems send them, and decisions as standard documents.

Each reader returns a :class:`Reading`: the results it built and one problem per input it
could not read, never silence. The readers need optional extras only where a format needs a
parser of its own; ``import mutrec`` loads none of them.

>>> from mutrec.interop import Reading
>>> Reading().complete
True
"""

from __future__ import annotations

from mutrec.interop._reading import Reading

__all__ = ["Reading"]
