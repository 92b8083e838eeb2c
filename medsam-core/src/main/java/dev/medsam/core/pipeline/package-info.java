/**
 * MedSAM's and LiteMedSAM's 2D pipelines, exact to the references: intensity presets
 * ({@link dev.medsam.core.pipeline.IntensityPreset}), image preprocessing into the network input, prompt mapping
 * to the model frame (1024x1024, or 256x256 for {@link dev.medsam.core.pipeline.Pipeline#LITE_MEDSAM}) and back,
 * and postprocessing of the decoder's logits to masks of the image's size (internal to the session).
 * {@link dev.medsam.core.SegmentationSession} runs all of it and picks the pipeline from the checkpoint.
 *
 * <h2>Where each kind of pixel goes</h2>
 * <table>
 *   <caption>From stored values to the network input</caption>
 *   <tr><th>stored data</th><th>default preset</th><th>then</th></tr>
 *   <tr><td>uint8 grey, grey + alpha</td><td>as is</td><td>repeated to RGB, resized</td></tr>
 *   <tr><td>uint8 RGB, RGBA</td><td>as is</td><td>alpha dropped, resized</td></tr>
 *   <tr><td>any type, modality CT</td><td>CT soft-tissue window (40/400 HU) on the rescaled values</td>
 *       <td>uint8, then as above</td></tr>
 *   <tr><td>int8, (u)int16, (u)int32, (u)int64, float16/32/64, other modalities</td>
 *       <td>0.5/99.5 percentile clipping of the values above 0</td><td>uint8, then as above</td></tr>
 * </table>
 * The resize always works on the 8-bit output of the preset, as MedSAM's scripts do: MedSAM first makes the
 * image uint8 (pre_CT_MR.py), then resizes it (MedSAM_Inference.py).
 *
 * <h2>Exactness</h2>
 * On the parity fixtures: the preprocessed network input and the 1024x1024 uint8 image are bit-identical to
 * the reference (skimage 0.19.3 / SciPy 1.10); intensity presets are identical voxel for voxel; probabilities
 * are within 2e-7 and masks identical.
 */
package dev.medsam.core.pipeline;

