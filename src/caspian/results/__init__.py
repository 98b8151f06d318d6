"""What a solved network says: the headline summary, bottlenecks and flows, the backcast comparison."""
