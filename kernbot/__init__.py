"""The top floor: the composition root (composition.py), the Application builder, the admin
command line and the test harness. Nothing below imports from here."""
