"""非正常专利申请筛查 (abnormal patent application screening) and its review queue."""
