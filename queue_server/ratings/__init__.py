"""Citizens' satisfaction ratings of a service (đánh giá mức độ hài lòng)."""
