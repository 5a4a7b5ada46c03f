"""Handover manifests (bảng kê giao nhận) between post offices and centres."""
