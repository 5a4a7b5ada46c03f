"""The hand-off of dossier changes to the provincial one-stop system (hệ thống thông tin giải
quyết thủ tục hành chính cấp tỉnh), and the import of dossiers it received online. See
docs/province.md."""
