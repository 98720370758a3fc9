"""DynamoDB: the only place that imports PynamoDB."""
