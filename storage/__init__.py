"""Everything that touches SQLite. No SQL anywhere else; modules return dataclasses."""
