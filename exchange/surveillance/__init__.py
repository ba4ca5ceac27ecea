"""Market surveillance on the committed stream: rules, thresholds, the detector and case opening."""
