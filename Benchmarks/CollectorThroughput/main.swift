// Placeholder until the collector benchmark lands.
print("CollectorThroughput: not written yet")
