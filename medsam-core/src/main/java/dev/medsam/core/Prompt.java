package dev.medsam.core;

import dev.medsam.core.spi.ModelPrompt;

/**
 * One part of a prompt for one object: a {@link Box}, a {@link Point} or a {@link MaskPrompt}.
 *
 * <p>Boxes and points are in the <em>original image's</em> pixel coordinates: x is the column, y the row,
 * and pixel centres sit at integer coordinates (as MedSAM's own scripts use them). The pipeline maps them to
 * the network's 1024x1024 frame; {@link ModelPrompt} is the mapped form that backends consume.
 *
 * <p>Several parts are combined into one object's prompt with {@link Prompts#of(Prompt...)}.
 */
public sealed interface Prompt permits Box, Point, MaskPrompt {
}
