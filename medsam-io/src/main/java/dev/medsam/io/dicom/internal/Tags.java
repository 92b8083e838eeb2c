package dev.medsam.io.dicom.internal;

import java.util.Locale;

/** The DICOM tags this reader uses, as {@code 0xGGGGEEEE}. */
public final class Tags {

    private Tags() {
    }

    public static final int FILE_META_GROUP_LENGTH = 0x00020000;
    public static final int TRANSFER_SYNTAX_UID = 0x00020010;
    public static final int SPECIFIC_CHARACTER_SET = 0x00080005;
    public static final int IMAGE_TYPE = 0x00080008;
    public static final int SOP_CLASS_UID = 0x00080016;
    public static final int SOP_INSTANCE_UID = 0x00080018;
    public static final int MODALITY = 0x00080060;
    public static final int MANUFACTURER = 0x00080070;
    public static final int REFERENCED_SERIES_SEQUENCE = 0x00081115;
    public static final int REFERENCED_INSTANCE_SEQUENCE = 0x0008114A;
    public static final int REFERENCED_SOP_CLASS_UID = 0x00081150;
    public static final int REFERENCED_SOP_INSTANCE_UID = 0x00081155;
    public static final int REFERENCED_FRAME_NUMBER = 0x00081160;
    public static final int SOURCE_IMAGE_SEQUENCE = 0x00082112;
    public static final int DERIVATION_IMAGE_SEQUENCE = 0x00089124;
    public static final int SLICE_THICKNESS = 0x00180050;
    public static final int SPACING_BETWEEN_SLICES = 0x00180088;
    public static final int IMAGER_PIXEL_SPACING = 0x00181164;
    public static final int STUDY_INSTANCE_UID = 0x0020000D;
    public static final int SERIES_INSTANCE_UID = 0x0020000E;
    public static final int INSTANCE_NUMBER = 0x00200013;
    public static final int IMAGE_POSITION_PATIENT = 0x00200032;
    public static final int IMAGE_ORIENTATION_PATIENT = 0x00200037;
    public static final int GRID_FRAME_OFFSET_VECTOR = 0x3004000C;
    public static final int FRAME_OF_REFERENCE_UID = 0x00200052;
    public static final int FRAME_CONTENT_SEQUENCE = 0x00209111;
    public static final int PLANE_POSITION_SEQUENCE = 0x00209113;
    public static final int PLANE_ORIENTATION_SEQUENCE = 0x00209116;
    public static final int DIMENSION_INDEX_VALUES = 0x00209157;
    public static final int SAMPLES_PER_PIXEL = 0x00280002;
    public static final int PHOTOMETRIC_INTERPRETATION = 0x00280004;
    public static final int PLANAR_CONFIGURATION = 0x00280006;
    public static final int NUMBER_OF_FRAMES = 0x00280008;
    public static final int ROWS = 0x00280010;
    public static final int COLUMNS = 0x00280011;
    public static final int PIXEL_SPACING = 0x00280030;
    public static final int BITS_ALLOCATED = 0x00280100;
    public static final int BITS_STORED = 0x00280101;
    public static final int HIGH_BIT = 0x00280102;
    public static final int PIXEL_REPRESENTATION = 0x00280103;
    public static final int PIXEL_PADDING_VALUE = 0x00280120;
    public static final int WINDOW_CENTER = 0x00281050;
    public static final int WINDOW_WIDTH = 0x00281051;
    public static final int RESCALE_INTERCEPT = 0x00281052;
    public static final int RESCALE_SLOPE = 0x00281053;
    public static final int PIXEL_MEASURES_SEQUENCE = 0x00289110;
    public static final int FRAME_VOI_LUT_SEQUENCE = 0x00289132;
    public static final int PIXEL_VALUE_TRANSFORMATION_SEQUENCE = 0x00289145;
    public static final int SEGMENTATION_TYPE = 0x00620001;
    public static final int SEGMENT_SEQUENCE = 0x00620002;
    public static final int SEGMENT_NUMBER = 0x00620004;
    public static final int SEGMENT_LABEL = 0x00620005;
    public static final int SEGMENT_IDENTIFICATION_SEQUENCE = 0x0062000A;
    public static final int REFERENCED_SEGMENT_NUMBER = 0x0062000B;
    public static final int MAXIMUM_FRACTIONAL_VALUE = 0x0062000E;
    public static final int SHARED_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009229;
    public static final int PER_FRAME_FUNCTIONAL_GROUPS_SEQUENCE = 0x52009230;
    public static final int EXTENDED_OFFSET_TABLE = 0x7FE00001;
    public static final int EXTENDED_OFFSET_TABLE_LENGTHS = 0x7FE00002;
    public static final int FLOAT_PIXEL_DATA = 0x7FE00008;
    public static final int DOUBLE_FLOAT_PIXEL_DATA = 0x7FE00009;
    public static final int PIXEL_DATA = 0x7FE00010;

    public static final int ITEM = 0xFFFEE000;
    public static final int ITEM_DELIMITATION = 0xFFFEE00D;
    public static final int SEQUENCE_DELIMITATION = 0xFFFEE0DD;

    /** {@code (gggg,eeee)}, upper-case hex, the way DICOM tools print tags. */
    public static String format(int tag) {
        return String.format(Locale.ROOT, "(%04X,%04X)", tag >>> 16, tag & 0xFFFF);
    }
}
