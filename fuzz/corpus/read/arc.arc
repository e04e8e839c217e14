filedesc://x.arc 0.0.0.0 20250922061100 text/plain 70
1 0 Fuzz
URL IP-address Archive-date Content-type Archive-length

https://www.example.org/e 0.0.0.0 20250922061100 text/plain 10
Hallo Welt