#!/bin/sh
# Version 1 of the checkout function: reads the event, answers it.
cat > /dev/null
echo '{"version": "1", "ok": true}'
