"""行政执法 (enforcement cases): trademark, patent counterfeiting and geographical indication cases."""
