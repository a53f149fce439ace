"""`/api/rankings/boards/`: the stored boards, read-only."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, PolymorphicProxySerializer, extend_schema
from rest_framework import generics
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from communities.selectors import person_for_user
from hotline.api import paginated
from hotline.errors import InvalidInput, NotFound
from rankings import boards
from rankings.models import Board
from rankings.serializers import BoardSerializer, BoardSummarySerializer

WINDOW_PARAMETERS = [
    OpenApiParameter("week", OpenApiTypes.STR, description="ISO 周，如 2026-W46：返回该周最新版本的榜单"),
    OpenApiParameter("period", OpenApiTypes.STR, description="考核期（截止月份），如 2026-11"),
    OpenApiParameter("from", OpenApiTypes.DATE, description="自定义区间开始日期（与 to 同用）"),
    OpenApiParameter("to", OpenApiTypes.DATE, description="自定义区间结束日期"),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=["week", "period", "range"], description="列表按类型筛选"),
]


class BoardReader(BasePermission):
    """Anyone with a place in the street office, the lobby display included
    (the board holds no personal data); not an account without a role."""

    message = "您的账号尚未分配岗位，不能查看榜单。"

    def has_permission(self, request, view) -> bool:
        return person_for_user(request.user) is not None


BOARD_READERS = [IsAuthenticated, BoardReader]


class BoardListView(generics.ListAPIView):
    """Without a window: the newest version of every board (paginated). With
    `week`, `period` or `from`/`to`: that window's newest board with its rows."""

    permission_classes = BOARD_READERS
    serializer_class = BoardSummarySerializer
    filter_backends: list = []

    def get_queryset(self):
        kind = self.request.query_params.get("kind", "")
        if kind and kind not in Board.Kind.values:
            raise InvalidInput("kind 只能是 week、period 或 range。", field="kind")
        return boards.board_list(kind=kind)

    @extend_schema(
        operation_id="rankings_boards_list",
        parameters=WINDOW_PARAMETERS,
        responses={
            200: PolymorphicProxySerializer(
                component_name="BoardListOrBoard",
                serializers=[paginated("PaginatedBoardSummaryList", BoardSummarySerializer), BoardSerializer],
                resource_type_field_name=None,
                many=False,
            )
        },
    )
    def get(self, request, *args, **kwargs):
        params = request.query_params
        if any(params.get(name) for name in ("week", "period", "from", "to")):
            board = boards.board_for_query(
                week=params.get("week", ""),
                period=params.get("period", ""),
                date_from=params.get("from", ""),
                date_to=params.get("to", ""),
            )
            return Response(BoardSerializer(board).data)
        return super().get(request, *args, **kwargs)


class BoardLatestView(APIView):
    permission_classes = BOARD_READERS

    @extend_schema(
        parameters=[OpenApiParameter("kind", OpenApiTypes.STR, enum=["week", "period", "range"])],
        responses={200: BoardSerializer},
    )
    def get(self, request):
        """The newest board of a kind (default: the weekly board)."""
        kind = request.query_params.get("kind", Board.Kind.WEEK)
        if kind not in Board.Kind.values:
            raise InvalidInput("kind 只能是 week、period 或 range。", field="kind")
        board = boards.board_latest(kind=kind)
        if board is None:
            raise NotFound("榜单尚未生成。")
        return Response(BoardSerializer(board).data)


class BoardDetailView(APIView):
    permission_classes = BOARD_READERS

    @extend_schema(responses={200: BoardSerializer})
    def get(self, request, board_id: int):
        return Response(BoardSerializer(boards.board_get(board_id=board_id)).data)
