#!/usr/bin/env perl
# Copies standard input to standard output unchanged, except whole lines written by TensorFlow's native
# logging (absl: "I0000 00:00:1796.. 1234 file.cc:401] text", its "WARNING: All log messages before
# absl::InitializeLog() ..." notice, and TF's own "2026-12-04 10:00:00.000000: I tensorflow/..." lines).
# Used by bin/medsam to keep standard error readable; `medsam --verbose` bypasses it.
# Text is passed on as soon as it cannot be the start of such a line, so carriage-return progress bars
# are not held back.
use strict;
use warnings;
$| = 1;
binmode STDIN;
binmode STDOUT;
my $noise = qr{^(?:[IWE]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ [\w./-]+:\d+\] |WARNING: All log messages before absl::InitializeLog\(\)|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IW] (?:tensorflow|external)/)};
# A prefix of a noise line, still too short to decide.
my $maybe = qr{^(?:[IWE]\d{0,4}(?: [\d:.]*(?: +\d*(?: [\w./-]*(?::\d*)?)?)?)?|W[ARNIG]{0,6}(?::.{0,60})?|\d{1,4}(?:-[\d :.-]*(?::(?: [IW]?.{0,12})?)?)?)$};
my $line = '';        # text of the current line not yet written
my $held = 1;         # whether the current line is still undecided (held back)
my $drop = 0;         # whether the current line is noise
my $buf;
while (sysread(STDIN, $buf, 8192)) {
    for my $part (split /(?<=\n)/, $buf) {
        if ($held) {
            $line .= $part;
            if ($line =~ $noise) { $held = 0; $drop = 1; }
            elsif ($line =~ /\n\z/ ? 0 : ($line =~ $maybe)) { }  # still undecided
            else { print $line; $held = 0; $drop = 0; }
            $line = '' unless $held;
        } elsif (!$drop) {
            print $part;
        }
        if ($part =~ /\n\z/) { $held = 1; $drop = 0; $line = ''; }
    }
}
print $line if $held && length $line;
