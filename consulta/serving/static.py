"""Static files: hashed, compressed and served by WhiteNoise once collected (`consulta serve`
collects them into CONSULTA_HOME/static); before that, e.g. in a fresh checkout or the test
suite, plain names, so pages still render."""

import os

from whitenoise.compress import Compressor
from whitenoise.middleware import WhiteNoiseMiddleware
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticFilesStorage(CompressedManifestStaticFilesStorage):
    def create_compressor(self, **kwargs):
        """Source maps (megabytes, for developers' tools only) are not worth compressing."""
        kwargs["extensions"] = [
            *(kwargs.get("extensions") or Compressor.SKIP_COMPRESS_EXTENSIONS),
            "map",
        ]
        return super().create_compressor(**kwargs)

    def stored_name(self, name):
        if not self.hashed_files:  # nothing collected yet
            return name
        return super().stored_name(name)


class StaticFilesMiddleware(WhiteNoiseMiddleware):
    """WhiteNoise, quiet when nothing has been collected yet (it would warn on every start)."""

    def add_files(self, root, prefix=None):
        if self.autorefresh or os.path.isdir(root):
            super().add_files(root, prefix)
