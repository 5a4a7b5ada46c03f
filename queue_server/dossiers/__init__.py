"""Dossiers (hồ sơ): intake, legal deadlines, forms, handover manifests."""
