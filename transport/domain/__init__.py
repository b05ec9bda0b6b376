"""The pure core: plain frozen dataclasses in, values out. No I/O, no clock."""
