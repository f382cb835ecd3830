"""Settings are chosen by DJANGO_ENV: ``production`` or, by default, ``local``.

``ileanet.settings.test`` is selected by pytest directly.
"""

import os

if os.environ.get("DJANGO_ENV", "local") == "production":
    from .production import *
else:
    from .local import *
