"""Documents built from stored data: the design brief as PDF (fpdf2) and DOCX (python-docx)."""
