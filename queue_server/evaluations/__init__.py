"""The citizen's evaluation of how a dossier was handled (đánh giá việc giải quyết thủ tục hành chính)."""
