/**
 * NumPy files: {@link dev.medsam.io.numpy.Npy} ({@code .npy}), {@link dev.medsam.io.numpy.Npz} ({@code .npz}),
 * the array type {@link dev.medsam.io.numpy.NpyArray} with its conversions to images and float tensors, and
 * the MedSAM / CVPR 2024 npz layout {@link dev.medsam.io.numpy.MedSamNpz}.
 */
package dev.medsam.io.numpy;
