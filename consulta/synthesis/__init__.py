"""Synthesis of a consultation's feedback. `stats` is plain Python + numpy/scipy: it takes
arrays in and gives figures out, so it is tested and benchmarked without a database."""
